# Buurtlens: the two commands of the README, and a few more for developers.
#   make demo   install everything, build the demo warehouse, serve the app on 127.0.0.1:8050
#   make test   install everything (incl. Debian's chromium for browser tests), run all tests
#   make bench  the performance benchmarks (national-size ETL; prints time and memory)
PYTHON ?= python3
VENV   ?= .venv
DATA_DIR ?= var/data
HOST ?= 127.0.0.1
PORT ?= 8050
BIN := $(VENV)/bin

.PHONY: demo serve test install install-dev lint typecheck bench clean-data

demo: install
	$(BIN)/python -m etl demo --data-dir $(DATA_DIR)
	@echo "Buurtlens draait op http://$(HOST):$(PORT)/kaart  (Ctrl-C stopt de app)"
	BUURTLENS_DATA_DIR=$(DATA_DIR) $(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) app:server

serve: install
	BUURTLENS_DATA_DIR=$(DATA_DIR) $(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) app:server

test: install-dev
	$(BIN)/python -m pytest

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt scripts/install-system-packages.sh
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	scripts/install-system-packages.sh
	touch $@

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: install-dev
	$(BIN)/mypy etl data

# make bench BENCH_ARGS="--scale 0.1" for a quick run; see python -m bench --help
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean-data:
	rm -rf $(DATA_DIR)
