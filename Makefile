# Developer entry points. The real work lives in scripts/:
#   make run    -- set up .venv, migrate the database and start the bot (scripts/run)
#   make test   -- run the test suite against a throwaway PostgreSQL (scripts/test)
#   make lint   -- ruff (needs .venv: run `make test` or `make run` once first)

.PHONY: run test lint

run:
	scripts/run

test:
	scripts/test

lint:
	.venv/bin/ruff check .
