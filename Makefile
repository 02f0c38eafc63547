# The two commands a newcomer needs: `make run` and `make test`.
.PHONY: deps build run test test-unit test-e2e test-reliability fuzz bench bench-customers bench-telephony format lint clean

deps:
	@bash scripts/install-deps.sh

build: deps
	swift build

# Runs the whole system on local defaults (compose/crm.yaml): data in ./data, bus on
# 127.0.0.1:5555-5557, HTTP on 127.0.0.1:8080. Ctrl-C stops everything.
run: build
	.build/debug/crm up

# Builds everything (the end-to-end tests start the real executables) and runs every test,
# then schemathesis against the OpenAPI document (ADR 008) and a short run of every fuzz target
# over its corpus (the regression inputs included).
test: build
	swift build --build-tests
	swift test --skip-build
	python3 -m pytest -q Tests/Python
	bash scripts/api-conformance.sh
	bash scripts/fuzz.sh

# Every parser of outside input under libFuzzer for FUZZ_SECONDS each (default 600):
# `make fuzz FUZZ_SECONDS=3600`. Crashes land in Fuzz/crashes/<target>/.
FUZZ_SECONDS ?= 600
fuzz: deps
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

test-unit: build
	swift build --build-tests
	swift test --skip-build --skip EndToEndTests

test-e2e: build
	swift build --build-tests
	swift test --skip-build --filter EndToEndTests

# The ZeroMQ ingest reliability test (two kill -9 during the stream) with EVENTS events, on a
# release build: `make test-reliability EVENTS=1000000`. The suite runs it with 50,000.
EVENTS ?= 1000000
test-reliability: deps
	swift build -c release
	CRM_BIN_DIR=.build/release CRM_RELIABILITY_EVENTS=$(EVENTS) python3 -m pytest -q -s Tests/Python/test_ingest_reliability.py

# Broker round trips against bare libzmq, in release mode; see docs/performance.md.
bench: deps
	swift run -c release crm-bench bus

# A million contacts and 200,000 companies; search, list and count through HTTP against a LIKE scan.
bench-customers: deps
	swift build -c release
	.build/release/crm-bench customers

# Call events over ZeroMQ and HTTP against a plain batched SQLite insert with the same durability.
bench-telephony: deps
	swift build -c release
	.build/release/crm-bench telephony

# Style: .swift-format (4 spaces, 140 columns, ordered imports).
format:
	swift format format -i -r Shared Services Tests Package.swift Fuzz/Sources Fuzz/Package.swift

lint:
	swift format lint --strict -r Shared Services Tests Package.swift Fuzz/Sources Fuzz/Package.swift
	python3 scripts/check-imports.py
	bash scripts/check-concurrency.sh

clean:
	rm -rf .build
