using System.Reflection;
using ImageBuilder.Operator.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageBuilder.Operator.Tests.Hosting;

/// <summary>
/// Every [LoggerMessage] of the operator has an event id no other message has, inside its folder's range.
/// The branches that add log messages merge separately; this is where a collision shows up.
/// </summary>
public sealed class LogEventIdTests
{
    /// <summary>
    /// The one list of event id ranges, by the namespace of the Log class. A folder that starts logging
    /// takes the next free block of 100 here; a message goes in its folder's block.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, (int First, int Last)> Ranges = new Dictionary<string, (int, int)>
    {
        ["ImageBuilder.Operator.Controllers.Client"] = (1000, 1099),
        ["ImageBuilder.Operator.Controllers.Queues"] = (1100, 1199),
        ["ImageBuilder.Operator.Controllers.Election"] = (1200, 1299),
        ["ImageBuilder.Operator.Controllers.Hosting"] = (1300, 1399),
        ["ImageBuilder.Operator.Reconciliation"] = (2000, 2099),
        ["ImageBuilder.Operator.Sources"] = (3000, 3099),
        ["ImageBuilder.Operator.Builds"] = (3100, 3199),
        ["ImageBuilder.Operator.RabbitMq"] = (4000, 4099),
        ["ImageBuilder.Operator.Bridge"] = (4100, 4199),
        ["ImageBuilder.Operator.Retries"] = (4200, 4299),
        ["ImageBuilder.Operator.Notifications"] = (4300, 4399),
        ["ImageBuilder.Operator.Requests"] = (5000, 5099),
        ["ImageBuilder.Operator.Metrics"] = (6000, 6099),
        ["ImageBuilder.Operator.Dashboard"] = (7000, 7099),
        ["ImageBuilder.Operator.Hosting"] = (8000, 8099),
    };

    private sealed record Message(string Where, int Id, string Name);

    private static List<Message> Messages() =>
        [.. typeof(ReadinessProbe).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (method, attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(found => found.attribute is not null)
            .Select(found => new Message(
                $"{found.method.DeclaringType!.FullName}.{found.method.Name}",
                found.attribute!.EventId,
                found.attribute.EventName ?? found.method.Name))];

    [Fact]
    public void LoggerMessages_AreFoundByReflection()
    {
        // Guards the other checks: if the attribute stopped surviving compilation, they would pass on nothing.
        Assert.True(Messages().Count >= 50, $"found {Messages().Count} [LoggerMessage] methods");
    }

    [Fact]
    public void LoggerMessages_HaveUniqueEventIds()
    {
        var duplicates = Messages().GroupBy(message => message.Id).Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(message => message.Where))}");

        Assert.Empty(duplicates);
    }

    [Fact]
    public void LoggerMessages_HaveUniqueEventNames()
    {
        var duplicates = Messages().GroupBy(message => message.Name).Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(message => message.Where))}");

        Assert.Empty(duplicates);
    }

    [Fact]
    public void LoggerMessages_UseTheirFolderRange()
    {
        var outside = Messages()
            .Where(message =>
            {
                var @namespace = message.Where[..message.Where.LastIndexOf('.', message.Where.LastIndexOf('.') - 1)];
                return !Ranges.TryGetValue(@namespace, out var range) || message.Id < range.First || message.Id > range.Last;
            })
            .Select(message => $"{message.Where} has id {message.Id}");

        Assert.Empty(outside);
    }

    [Fact]
    public void Ranges_DoNotOverlap()
    {
        var ordered = Ranges.Values.OrderBy(range => range.First).ToList();

        Assert.All(ordered.Zip(ordered.Skip(1)), pair => Assert.True(pair.First.Last < pair.Second.First, $"{pair.First} overlaps {pair.Second}"));
    }
}
