"""pytest plugins: fixtures that start servers and a browser, registered in tests/conftest.py."""
