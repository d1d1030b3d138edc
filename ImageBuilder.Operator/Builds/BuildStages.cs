namespace ImageBuilder.Operator.Builds;

/// <summary>Values of the termination message's <c>stage</c>: where a build container stopped.</summary>
public static class BuildStages
{
    /// <summary>Downloading the source.</summary>
    public const string Fetch = "fetch";
    /// <summary>Deciding how to build: nixpacks, or finding the Dockerfile.</summary>
    public const string Plan = "plan";
    /// <summary>Building the image.</summary>
    public const string Build = "build";
    /// <summary>Pushing the image to the registry.</summary>
    public const string Push = "push";
    /// <summary>Pushed; the message carries the digest.</summary>
    public const string Done = "done";
}
