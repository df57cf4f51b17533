# Every command a developer or CI runs. `make demo` and `make test` set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Neo4j that `make neo4j` runs for you (bolt://127.0.0.1:7687) and the separate one
# `make test` runs for the suite (on a free port, retried if another program takes it first,
# so tests never touch your data).
export GRAPH_NEO4J_PASSWORD ?= graph-service-dev
TEST_NEO4J_PORT ?= auto

.PHONY: setup system-deps demo test test-unit neo4j neo4j-stop lint bench bench-analysis load clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

setup: $(STAMP)

# What a fresh Debian machine lacks for the suite (Java, Maven, R sna, Chromium, a Thai
# font): installed as root; as another user it stops with the one command to run.
system-deps:
	scripts/system-deps.sh

demo: setup
	$(BIN)/graph-service demo

test: system-deps setup
	$(BIN)/lint-imports
	NEO4J_NAME=test NEO4J_PORT=$(TEST_NEO4J_PORT) scripts/neo4j.sh start
	GRAPH_TEST_NEO4J_URL=bolt://127.0.0.1:$$(cat .neo4j/test/port) \
	  GRAPH_TEST_NEO4J_PASSWORD=$(GRAPH_NEO4J_PASSWORD) \
	  $(BIN)/pytest; status=$$?; \
	  NEO4J_NAME=test scripts/neo4j.sh stop; exit $$status

test-unit: setup
	$(BIN)/pytest tests/unit

neo4j:
	scripts/neo4j.sh start

neo4j-stop:
	scripts/neo4j.sh stop

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy graph_service

bench: setup
	NEO4J_NAME=bench NEO4J_PORT=auto scripts/neo4j.sh start
	GRAPH_BENCH_NEO4J_URL=bolt://127.0.0.1:$$(cat .neo4j/bench/port) $(BIN)/python -m bench.import_speed; \
	  status=$$?; NEO4J_NAME=bench scripts/neo4j.sh stop; exit $$status
	$(MAKE) bench-analysis

# The four questions against their peers (R sna, a plain Python loop, rustworkx, networkx).
bench-analysis: setup
	$(BIN)/python -m bench.brokerage_speed
	$(BIN)/python -m bench.overlap_speed
	$(BIN)/python -m bench.maps_speed
	$(BIN)/python -m bench.fragility_speed
	$(BIN)/python -m bench.hub_speed

# 50 concurrent clients for a minute (wrk) on reach and map pages, on both stores;
# bench/load.py. Installs wrk from Debian when missing (needs root).
load: setup
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	NEO4J_NAME=load NEO4J_PORT=auto scripts/neo4j.sh start
	GRAPH_LOAD_NEO4J_URL=bolt://127.0.0.1:$$(cat .neo4j/load/port) $(BIN)/python -m bench.load; \
	  status=$$?; NEO4J_NAME=load scripts/neo4j.sh stop; exit $$status

clean:
	rm -rf $(VENV) .neo4j tools/neo4j-runner/target .pytest_cache
