from greentech.cli import main

main()
