namespace ImageBuilder.Operator.Bridge;

/// <summary>What became of a build request on the apiserver.</summary>
public enum BuildWriteOutcome
{
    /// <summary>The token Secret and the ImageBuild were created.</summary>
    Created,

    /// <summary>This request's ImageBuild was there already (a redelivery or a duplicate).</summary>
    AlreadyExists,

    /// <summary>The apiserver refused the object as invalid: the request's fault, not to be retried.</summary>
    Rejected,

    /// <summary>The apiserver could not be reached or failed: try again later.</summary>
    Unavailable,
}
