"""HTTP routes of the gateway: thin edges over the repositories."""
