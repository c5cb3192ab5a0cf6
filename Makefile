# Two commands: `make serve` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test check docs migrate schema neo4j-start neo4j-stop bench bench-generic bench-social bench-market tools graphiql clean help

help:
	@echo "make serve   - start a local Neo4j (data in var/), migrate, serve http://127.0.0.1:8000/graphql"
	@echo "make test    - the static checks (make check), then the whole suite against a throwaway Neo4j"
	@echo "make check   - ruff check, ruff format --check, mypy and the schema contract (all run; any failure fails)"
	@echo "make schema  - re-export schema.graphql"
	@echo "make docs    - regenerate the permission table in README.md and docs/architecture.md"
	@echo "make bench   - hot operations over HTTP next to their Cypher floors, JSON in var/bench (needs a seeded Neo4j)"
	@echo "make bench-generic - the same, plus the four shared queries through @neo4j/graphql (needs node 20+)"
	@echo "make bench-social - PROFILE discovery queries on a 10k-person graph (throwaway Neo4j)"
	@echo "make bench-market - PROFILE marketplace browse and search on 5,000 listings (throwaway Neo4j)"

# Java 17+ and Maven fetch and run Neo4j; on Debian/Ubuntu as root they are installed if missing.
tools:
	@bash scripts/ensure-tools.sh

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

# GraphiQL's scripts and styles (react, react-dom, graphiql) from the npm registry, sha512-checked, so
# GraphiQL works without a CDN; git-ignored under var/. A no-op when the pinned versions are there.
GRAPHIQL := var/graphiql/manifest.json
$(GRAPHIQL): scripts/fetch_graphiql.py
	$(PYTHON) scripts/fetch_graphiql.py

graphiql: $(GRAPHIQL)

serve: tools $(STAMP) $(GRAPHIQL)
	$(BIN)/hanoismart serve

# The static checks: lint, format and types (configured in pyproject.toml), and the schema contract (schema.graphql
# is the code's, and every breaking change of it since the baseline is named in CHANGELOG.md: api/contract.py).
# Each runs even when one before it failed, so one run shows every problem; any failure fails the target (and
# `make test`, and so CI).
check: $(STAMP)
	@status=0; \
	for step in "ruff check ." "ruff format --check ." "mypy" "hanoismart schema --check-contract"; do \
		echo "$$ $$step"; $(BIN)/$$step || status=1; \
	done; \
	exit $$status

test: tools $(STAMP) $(GRAPHIQL) check
	$(BIN)/pytest

migrate: $(STAMP)
	$(BIN)/hanoismart migrate

schema: $(STAMP)
	$(BIN)/hanoismart schema

docs: $(STAMP)
	$(BIN)/hanoismart docs

neo4j-start: tools $(STAMP)
	$(BIN)/hanoismart neo4j start

neo4j-stop: $(STAMP)
	$(BIN)/hanoismart neo4j stop

# The hot operations over real HTTP (API under uvicorn) next to one hand-written Cypher statement each; needs a
# running, seeded Neo4j. BENCH_ARGS: e.g. --quick, --app-dir ../other-checkout, --label before (bench/run.py --help).
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The same, plus the four shared queries through a generic GraphQL-to-Cypher library (@neo4j/graphql on Node).
bench/generic/node_modules/.package-lock.json: bench/generic/package-lock.json
	npm ci --prefix bench/generic --no-audit --no-fund

bench-generic: $(STAMP) bench/generic/node_modules/.package-lock.json
	$(BIN)/python -m bench.run --generic $(BENCH_ARGS)

# PROFILE of people-you-may-know, trust path and search on a 10k-person graph, in a throwaway Neo4j.
bench-social: tools $(STAMP)
	$(BIN)/python -m bench.social_profile --throwaway

# PROFILE of marketplace browse and search on 5,000 listings, next to raw-Cypher baselines, in a throwaway Neo4j.
bench-market: tools $(STAMP)
	$(BIN)/python -m bench.market_profile

clean:
	rm -rf $(VENV) build *.egg-info
