namespace ImageBuilder.Operator.Reconciliation;

/// <summary>A build that failed for good, as reported: Ready's reason, and the message Ready and the BuildResponse carry.</summary>
public sealed record FinalFailure(string Reason, string Message);
