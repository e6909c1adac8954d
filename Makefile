.PHONY: run test lint

# Set up and run the whole system on embedded defaults (http://127.0.0.1:8000).
run:
	./scripts/run.sh

# Set up and run every test (fast tier, then integration tier).
test:
	./scripts/test.sh

lint:
	./scripts/bootstrap.sh
	.venv/bin/ruff check .
	.venv/bin/mypy .
	.venv/bin/vulture
	PYTHONPATH=platform .venv/bin/lint-imports --no-cache
