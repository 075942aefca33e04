"""Who sees and changes this app's records (policies registered with core.permissions)."""
