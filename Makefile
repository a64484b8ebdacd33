# The two commands of README.md. Everything else lives in scripts/.
.PHONY: run test

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(PYTEST_ARGS)
