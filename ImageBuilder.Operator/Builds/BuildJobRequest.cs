using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Builds;

/// <summary>Everything one build attempt's Job needs.</summary>
/// <param name="Build">The owning ImageBuild; its uid becomes the Job's owner reference.</param>
/// <param name="JobName">The Job's name, unique per attempt.</param>
/// <param name="Attempt">1 for the first attempt.</param>
/// <param name="Commit">The resolved commit SHA.</param>
/// <param name="ArchiveUrl">A tar.gz of the source at <paramref name="Commit"/>; preferred over <paramref name="CloneUrl"/>.</param>
/// <param name="CloneUrl">A git URL to clone when there is no archive.</param>
/// <param name="ImageRef">Where to push: <c>repository:tag</c>.</param>
/// <param name="TokenSecretName">The Secret holding the source token; empty for public sources.</param>
/// <param name="TokenSecretKey">The key of the token in that Secret.</param>
/// <param name="RegistrySecretName">A <c>kubernetes.io/dockerconfigjson</c> Secret to push with.</param>
/// <param name="Timeout">The Job's activeDeadlineSeconds.</param>
public sealed record BuildJobRequest(
    ImageBuild Build,
    string JobName,
    int Attempt,
    string Commit,
    string? ArchiveUrl,
    string? CloneUrl,
    string ImageRef,
    string TokenSecretName,
    string TokenSecretKey,
    string RegistrySecretName,
    TimeSpan Timeout);
