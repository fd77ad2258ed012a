"""The pages a researcher reads: the form, the receipt, the status page."""
