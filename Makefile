# Maths Hubs Atlas: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Open data: the build uses the reduced copy shipped in data/opendata (or the cache `atlas reference`
# fills). When ../shared/data exists it is read in place instead (the same data; tests compare with it).
ATLAS_REFERENCE_DIR ?= $(wildcard $(abspath ../shared/data))
export ATLAS_REFERENCE_DIR

.PHONY: setup run build warehouse test lint bench soak clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

warehouse: setup
	@test -f data/warehouse/CURRENT || $(BIN)/atlas build

build: setup
	$(BIN)/atlas build

run: warehouse
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --server.address localhost

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: setup
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m benchmarks

# 10 minutes of the load benchmark at sample scale 10: the server's RSS must stay flat, under 500 MB.
soak: setup
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m benchmarks.soak

# Never deletes data/landed (the loaded files a rebuild replays) or data/ops (access log, demand log,
# load journal): they are records, not caches.
clean:
	rm -rf data/warehouse data/open .pytest_cache test-artifacts
