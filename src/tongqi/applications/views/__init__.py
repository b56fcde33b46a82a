"""Pages of the applications app: the customer portal, the staff workbench and the counter."""
