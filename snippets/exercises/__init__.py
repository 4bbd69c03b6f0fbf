"""Exercises: stubs to fill, reference solutions, and checkers proven able to fail (tests/test_exercises.py)."""
