"""Jobs of a store's lifecycle: uninstall detection, token revocation, hook removal, personal-data purge."""
