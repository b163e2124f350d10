"""A demo shop API: products, orders, a slow report and a flaky inventory check."""
