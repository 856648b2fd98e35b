# Benchmarks (placeholder until tests/bench/ has its programs).
.PHONY: bench bench-quick
bench bench-quick:
	@echo "bench: not written yet"; exit 1
