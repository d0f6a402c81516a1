"""Tests for shared outcomes and indicators."""
