"""Leaf physics of the macrospin engine, written once and compiled for each target (core.jit)."""
