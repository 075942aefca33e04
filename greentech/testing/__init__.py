"""Test support shared by the test suites: factory_boy factories (greentech.testing.factories)."""
