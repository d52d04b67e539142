# Developer entry points. The real work lives in scripts/:
#   make run    -- set up .venv, migrate the database and start the bot (scripts/run)
#   make test   -- run the test suite against a throwaway PostgreSQL (scripts/test)
#   make lint   -- ruff (needs .venv: run `make test` or `make run` once first)
#   make bench  -- every benchmark in bench/, on SQLite and a throwaway PostgreSQL (tens of minutes)

.PHONY: run test lint bench

run:
	scripts/run

test:
	scripts/test

lint:
	.venv/bin/ruff check .

bench:
	scripts/with-postgres bash -c 'set -e; for b in bench/[!_]*.py; do .venv/bin/python -m bench.$$(basename "$$b" .py); done'
