"""What runs inside a job. Kept free of server imports so it starts fast in a fresh process."""
