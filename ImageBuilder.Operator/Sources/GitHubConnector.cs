using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Requests;
using Octokit;

namespace ImageBuilder.Operator.Sources;

/// <summary>
/// Resolves GitHub sources through the REST API with the user's token: reading the repository is the access
/// check, then the ref becomes a full commit SHA and the tarball URL at that commit.
/// </summary>
public sealed class GitHubConnector : ISourceConnector
{
    private readonly GitHubClientFactory _clients;
    private readonly ILogger<GitHubConnector> _logger;

    public GitHubConnector(GitHubClientFactory clients, ILogger<GitHubConnector> logger)
    {
        _clients = clients;
        _logger = logger;
    }

    public string Name => Connectors.GitHub;

    public async Task<SourceResolution> ResolveAsync(SourceSpec source, string? token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!GitHubRepositoryName.TryParse(source.Repo, out var repo))
        {
            return SourceResolution.UserFault(SourceFailureReasons.InvalidSource, $"'{SourceRedaction.Redact(source.Repo)}' is not a GitHub repository of the form owner/name.");
        }
        if (SourceRefs.Validate(source) is { } invalid)
        {
            return SourceResolution.Failed(invalid);
        }
        var client = _clients.Create(token);
        var (repository, failure) = await CallAsync(() => client.Repository.Get(repo.Owner, repo.Name), repo, GitHubFaults.Lookup.Repository, null, cancellationToken);
        if (repository is null)
        {
            return SourceResolution.Failed(failure!);
        }
        var (commit, refFailure) = await ResolveCommitAsync(client, repo, source, repository.DefaultBranch, cancellationToken);
        if (commit is null)
        {
            return SourceResolution.Failed(refFailure!);
        }
        var archive = new Uri(_clients.ApiBaseAddress, $"repos/{Uri.EscapeDataString(repo.Owner)}/{Uri.EscapeDataString(repo.Name)}/tarball/{commit}");
        return SourceResolution.Resolved(commit, archive.AbsoluteUri, repository.CloneUrl, repository.DefaultBranch);
    }

    private Task<(string? Commit, BuildFailure? Failure)> ResolveCommitAsync(
        IGitHubClient client, GitHubRepositoryName repo, SourceSpec source, string defaultBranch, CancellationToken cancellationToken) =>
        source.Type switch
        {
            RefTypes.Tag => ShaOfAsync(client, repo, "tags/" + RefNames.EscapePath(source.Tag!), $"tag '{source.Tag}'", cancellationToken),
            RefTypes.Release => ReleaseCommitAsync(client, repo, source.Release!, cancellationToken),
            RefTypes.Commit when !RefNames.MeansLatest(source.Commit) => ShaOfAsync(client, repo, source.Commit!.Trim(), $"commit '{source.Commit.Trim()}'", cancellationToken),
            _ => BranchHeadAsync(client, repo, string.IsNullOrWhiteSpace(source.Branch) ? defaultBranch : source.Branch, cancellationToken),
        };

    private async Task<(string? Commit, BuildFailure? Failure)> BranchHeadAsync(IGitHubClient client, GitHubRepositoryName repo, string branch, CancellationToken cancellationToken)
    {
        var description = $"branch '{branch}'";
        if (!RefNames.IsValidRefName(branch))
        {
            return (null, SourceRefs.InvalidRef(description));
        }
        var (head, failure) = await CallAsync(() => client.Repository.Branch.Get(repo.Owner, repo.Name, RefNames.EscapePath(branch)), repo, GitHubFaults.Lookup.Ref, description, cancellationToken);
        return head is null ? (null, failure) : Checked(head.Commit?.Sha, repo);
    }

    private async Task<(string? Commit, BuildFailure? Failure)> ReleaseCommitAsync(IGitHubClient client, GitHubRepositoryName repo, string release, CancellationToken cancellationToken)
    {
        var description = $"release '{release}'";
        var (found, failure) = await CallAsync(() => client.Repository.Release.Get(repo.Owner, repo.Name, RefNames.EscapePath(release)), repo, GitHubFaults.Lookup.Ref, description, cancellationToken);
        if (found is null)
        {
            return (null, failure);
        }
        if (!RefNames.IsValidRefName(found.TagName))
        {
            return (null, SourceRefs.InvalidRef($"tag '{found.TagName}' of {description}"));
        }
        return await ShaOfAsync(client, repo, "tags/" + RefNames.EscapePath(found.TagName), $"tag '{found.TagName}' of {description}", cancellationToken);
    }

    // commits/{ref} peels annotated tags and expands short SHAs in one request. Not GetSha1: Octokit asks for it
    // with a retired preview media type, and a server that answers JSON instead leaves it null.
    private async Task<(string? Commit, BuildFailure? Failure)> ShaOfAsync(IGitHubClient client, GitHubRepositoryName repo, string reference, string description, CancellationToken cancellationToken)
    {
        var (commit, failure) = await CallAsync(() => client.Repository.Commit.Get(repo.Owner, repo.Name, reference), repo, GitHubFaults.Lookup.Ref, description, cancellationToken);
        return commit is null ? (null, failure) : Checked(commit.Sha, repo);
    }

    private static (string? Commit, BuildFailure? Failure) Checked(string? sha, GitHubRepositoryName repo)
    {
        var trimmed = sha?.Trim().ToLowerInvariant();
        return RefNames.IsFullCommitSha(trimmed)
            ? (trimmed, null)
            : (null, new BuildFailure { Fault = Faults.Service, Reason = SourceFailureReasons.GitHubUnavailable, Message = $"GitHub returned no commit SHA while resolving {repo}." });
    }

    // Octokit's read methods take no CancellationToken: WaitAsync stops waiting, and the request itself ends at the configured timeout.
    private async Task<(T? Value, BuildFailure? Failure)> CallAsync<T>(
        Func<Task<T>> call, GitHubRepositoryName repo, GitHubFaults.Lookup lookup, string? refDescription, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await call().WaitAsync(cancellationToken) is { } value
                ? (value, null)
                : (null, new BuildFailure { Fault = Faults.Service, Reason = SourceFailureReasons.GitHubUnavailable, Message = $"GitHub returned an empty answer while resolving {repo}." });
        }
        catch (ApiException e)
        {
            Log.GitHubRequestFailed(_logger, repo, (int)e.StatusCode);
            return (null, GitHubFaults.FromApiException(e, repo, lookup, refDescription));
        }
        catch (HttpRequestException e)
        {
            Log.GitHubUnreachable(_logger, repo, e);
            return (null, GitHubFaults.Unreachable(repo, timedOut: false));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            Log.GitHubUnreachable(_logger, repo, e);
            return (null, GitHubFaults.Unreachable(repo, timedOut: true));
        }
    }
}
