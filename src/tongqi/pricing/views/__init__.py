"""Pages of the pricing app, split by subject: marketing's catalogue, the quote builder and
quotes, the customer's confirmation and contractor choice, receivables, documents."""
