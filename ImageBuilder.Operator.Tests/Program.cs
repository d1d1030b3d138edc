using ImageBuilder.Operator.Tests.GitHubServer;

// The test host never calls Main; this entry point only serves `dotnet run -- github-server ...` for the demo.
return await GitHubServerCommand.RunAsync(args);
