using ImageBuilder.GitHubServer;

// The demo (scripts/run.sh) runs the server as its own process; tests and the bench start it in-process.
return await GitHubServerCommand.RunAsync(args);
