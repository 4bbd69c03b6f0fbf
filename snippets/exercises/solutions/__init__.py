"""Reference solutions, shown collapsed on the pages and checked at every build."""
