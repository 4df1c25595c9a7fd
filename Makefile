# The two commands of the README: `make demo` and `make test`. Each creates its own
# virtual environment (.venv) and installs what it needs; nothing else is assumed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_DB ?= .demo/newsdesk.db

.PHONY: demo test lint bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

# llama.cpp for the real-model test, built from source (several minutes on 2 cores): a
# portable x86-64 build, since the native one (-march=native) crashes on the CI machines.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
$(VENV)/.installed-llm: pyproject.toml | $(VENV)/.installed-test
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
		$(BIN)/python -m pip install --quiet --no-cache-dir -e '.[llm-server]'
	touch $@

demo: $(VENV)/.installed
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/newsdesk --db $(DEMO_DB) ingest samples/corpus
	$(BIN)/newsdesk --db $(DEMO_DB) brief samples/corpus/2024-03-07_china-exports-beat-forecasts-russia.txt
	$(BIN)/newsdesk --db $(DEMO_DB) search "yuan settlement" --limit 5

test: $(VENV)/.installed-test $(VENV)/.installed-llm browser
	$(BIN)/python -m pytest -q

# Chromium for tests/web/test_browser.py (Playwright drives /usr/bin/chromium; it cannot
# download its own). Installed quietly where apt-get is at hand; else those tests skip.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
		( $$SUDO apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null ) \
		|| echo "could not install chromium: the browser tests will skip"; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check newsdesk tests bench
	$(BIN)/mypy newsdesk

bench: $(VENV)/.installed
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) .demo .pytest_cache .ruff_cache .mypy_cache
