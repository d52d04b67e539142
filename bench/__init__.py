"""Benchmarks (``make bench``); each prints a Markdown table with the machine it ran on."""
