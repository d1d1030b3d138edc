namespace ImageBuilder.Operator.Reconciliation;

/// <summary>What the Ready condition should say: its status (True, False, Unknown), reason and message.</summary>
public sealed record ReadyVerdict(string Status, string Reason, string Message);
