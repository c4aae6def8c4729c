# Maths Hubs Atlas: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Open data: the build uses the reduced copy shipped in data/opendata (or the cache `atlas reference`
# fills). When ../shared/data exists it is read in place instead (the same data; tests compare with it).
ATLAS_REFERENCE_DIR ?= $(wildcard $(abspath ../shared/data))
export ATLAS_REFERENCE_DIR
# glibc gives each thread that allocates under contention its own arena (up to 8 per core) and rarely
# returns their memory; Streamlit runs every script run on a new thread. Two arenas kept the server ~50 MB
# smaller under the load benchmark, CPU per rerun unchanged within noise (benchmarks/README.md, "Server
# memory"). Set wherever the server starts: here, deploy/Dockerfile and tests/streamlit_server.py
# (tests/service/test_deploy.py checks all three agree).
export MALLOC_ARENA_MAX ?= 2

.PHONY: setup run build warehouse test lint bench soak clean

# Dependencies come from uv.lock (resolved once, `uv lock` after changing pyproject.toml): `make run`
# installs the runtime set, `make setup`/`make test` add the dev tools. --inexact keeps packages that
# other targets added (the bench extras), never a download of Python itself.
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "uv==$(UV_VERSION)"

$(BIN)/.runtime: pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --quiet --frozen --inexact
	touch $@

$(BIN)/.installed: pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --quiet --frozen --inexact --extra dev
	touch $(BIN)/.runtime $@

setup: $(BIN)/.installed

warehouse: $(BIN)/.runtime
	@test -f data/warehouse/CURRENT || $(BIN)/atlas build

build: $(BIN)/.runtime
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
