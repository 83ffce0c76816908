from ankigen.cli import run

run()
