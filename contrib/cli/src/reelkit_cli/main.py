def main() -> None:
    raise SystemExit("reelkit CLI: in progress")
