using ImageBuilder.Operator.Cli;
using ImageBuilder.Operator.Hosting;

if (args is ["submit", ..])
{
    return await SubmitCommand.RunAsync(args);
}

try
{
    var builder = WebApplication.CreateBuilder(args);
    // FatalExit reports the host's failures itself, once and in one line.
    builder.Logging.AddFilter(FatalExit.HostLogCategory, LogLevel.None);
    builder.AddImageBuilder();
    var app = builder.Build();
    app.MapImageBuilderEndpoints();
    var background = FatalExit.BackgroundServices(app.Services);
    await app.RunAsync();
    return FatalExit.Report(background, Console.Error);
}
catch (Exception e)
{
    return FatalExit.Report(e, Console.Error);
}
