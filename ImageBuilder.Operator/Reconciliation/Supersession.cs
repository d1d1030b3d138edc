using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Which builds replace which (issue 12, point 3), as pure functions so they are tested on their own. A newer request
/// (<see cref="RequestOrder"/>) supersedes an older unfinished one of the same application (namespace, userID,
/// applicationID) that asks for the same thing: the same branch when both follow a branch, the same commit, tag or
/// release when the older one names it. A request naming a commit or tag is never superseded by a different ref, and a
/// build without an applicationID is never superseded (nothing says which application it deploys).
/// </summary>
public static class Supersession
{
    /// <summary>
    /// The informer cache's index of the builds of each application (<see cref="ApplicationKey"/>): supersession and
    /// retention read one application's builds, not the namespace's.
    /// </summary>
    public static readonly CacheIndex<ImageBuild> ByApplication = new("application", b => b.Spec is null ? null : ApplicationKey(b));

    /// <summary>The application a build deploys, or null when it names none.</summary>
    public static string? ApplicationKey(ImageBuild build)
    {
        ArgumentNullException.ThrowIfNull(build);
        return string.IsNullOrEmpty(build.Spec.ApplicationId)
            ? null
            : $"{build.Metadata.NamespaceProperty}\n{build.Spec.UserId}\n{build.Spec.ApplicationId}";
    }

    /// <summary>
    /// What a request follows: <c>branch:NAME</c> for a branch (type repo, or type commit with an empty or
    /// <c>latest</c> commit; the empty name is the default branch), else the pinned ref it names.
    /// </summary>
    public static string RefKey(SourceSpec source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Type switch
        {
            RefTypes.Tag => "tag:" + source.Tag,
            RefTypes.Release => "release:" + source.Release,
            RefTypes.Commit when !string.IsNullOrEmpty(source.Commit) && source.Commit != "latest" => "commit:" + source.Commit.ToLowerInvariant(),
            _ => "branch:" + (source.Branch ?? ""),
        };
    }

    /// <summary>Phases a build can be superseded in: it has not finished (queued, waiting, building or between attempts).</summary>
    public static bool CanBeSuperseded(string? phase) => phase is null or Phases.Pending or Phases.Queued or Phases.Building or Phases.Retrying;

    /// <summary>True when <paramref name="newer"/> replaces <paramref name="older"/>, whatever their phases.</summary>
    public static bool Supersedes(ImageBuild newer, ImageBuild older)
    {
        ArgumentNullException.ThrowIfNull(newer);
        ArgumentNullException.ThrowIfNull(older);
        return newer.Metadata.DeletionTimestamp is null
            && !string.Equals(newer.Metadata.Uid ?? newer.Metadata.Name, older.Metadata.Uid ?? older.Metadata.Name, StringComparison.Ordinal)
            && ApplicationKey(older) is { } application
            && string.Equals(application, ApplicationKey(newer), StringComparison.Ordinal)
            && string.Equals(RefKey(older.Spec.Source), RefKey(newer.Spec.Source), StringComparison.Ordinal)
            && RequestOrder.Of(newer) > RequestOrder.Of(older);
    }

    /// <summary>The newest of <paramref name="others"/> that supersedes <paramref name="build"/> (the one that will build), or null.</summary>
    public static ImageBuild? SupersededBy(ImageBuild build, IEnumerable<ImageBuild> others)
    {
        ArgumentNullException.ThrowIfNull(others);
        return others.Where(o => Supersedes(o, build)).OrderByDescending(RequestOrder.Of).FirstOrDefault();
    }
}
