namespace ImageBuilder.Operator.Tests;

/// <summary>Checks on what an options validator reports.</summary>
internal static class ValidationAssert
{
    /// <summary>For each path, a failure that starts with it: a validator names each mistake by its configuration path.</summary>
    public static void ReportsEach(IEnumerable<string> failures, params string[] paths)
    {
        var all = failures.ToList();
        foreach (var path in paths)
        {
            Assert.Contains(all, f => f.StartsWith(path, StringComparison.Ordinal));
        }
    }
}
