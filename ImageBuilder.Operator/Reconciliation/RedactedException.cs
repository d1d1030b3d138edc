namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// An error a step rethrows with its text already made safe to show (<see cref="ReconcileErrors.Describe"/>): the step
/// held a secret (the user's token) the runner does not know and must not keep, so only it can take that out. The
/// original is not kept as the inner exception, whose text the runner's log line would carry.
/// </summary>
public sealed class RedactedException : Exception
{
    public RedactedException()
    {
    }

    public RedactedException(string description)
        : base(description)
    {
    }

    public RedactedException(string description, Exception innerException)
        : base(description, innerException)
    {
    }
}
