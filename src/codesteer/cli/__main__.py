from codesteer.cli import main

main()
