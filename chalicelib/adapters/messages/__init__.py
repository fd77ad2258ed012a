"""What moves between functions and people: SNS, SES, the table's stream."""
