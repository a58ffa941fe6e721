# cadre-monitor: `make report` builds the demo reports from the bundled sample data; `make test` runs the tests.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
DATA    ?= data/sample
STAMP   := $(VENV)/.installed
SYSSTAMP := $(VENV)/.system-deps
APT_PACKAGES := chromium fonts-noto-core fonts-noto-mono poppler-utils
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all setup system-deps sample report indicators test lint typecheck bench clean

all: report

# Debian packages: Chromium for PDF and browser tests, Noto fonts (every Vietnamese letter), pdftotext.
$(SYSSTAMP):
	@mkdir -p $(VENV)
	@if [ -x /usr/bin/chromium ] && command -v pdftotext >/dev/null && fc-list | grep -q "Noto Sans Mono"; then \
	  echo "system packages present"; \
	else \
	  echo "installing Debian packages: $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi
	@touch $@

system-deps: $(SYSSTAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (cadre-monitor)" >/dev/null
	@touch $@

setup: $(STAMP) $(SYSSTAMP)

$(DATA)/SAMPLE_DATA.txt: | $(STAMP)
	$(BIN)/python -m cadre_lib sample-data --out $(DATA)

sample: $(DATA)/SAMPLE_DATA.txt

# The main job: overview (ranks every commune) + one report per province department (and district-level unit
# while that level exists on as_of) + data quality, HTML and PDF. `--units communes` adds one per commune.
report: setup sample
	$(BIN)/python -m cadre_lib run --data $(DATA) --formats html,pdf --progress
	@echo "open reports/latest/index.html"

# Indicator tables only (JSON + Excel).
indicators: setup sample
	@mkdir -p reports
	$(BIN)/python -m cadre_lib indicators --data $(DATA) --out reports/indicators.json
	$(BIN)/python -m cadre_lib indicators --data $(DATA) --out reports/indicators.xlsx

test: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: setup
	$(BIN)/ruff check cadre_lib tests benchmarks
	$(BIN)/mypy cadre_lib

bench: setup
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_runner.py

clean:
	rm -rf reports $(DATA) .pytest_cache
