from aiprices.cli import main

main()
