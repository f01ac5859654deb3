using System.CommandLine;
using NeuralPhotoEdit.ModelFiles;
using Spectre.Console;

namespace NeuralPhotoEdit.Cli.Commands;

/// <summary>Runs the parsed command and turns every expected failure into one clear line and exit code 1.</summary>
static class CommandRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        try
        {
            // Every tensor a command makes stays referenced until the command ends (inner scopes free
            // per-step work earlier): no temporary can be finalised while libtorch reads it.
            using var scope = TorchSharp.torch.NewDisposeScope();
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0 && !AsksForHelp(args))
            {
                // One line per error in words (not .NET type names), and where to look: not the whole help.
                var errors = ErrorConsole();
                foreach (var error in parsed.Errors) Error(errors, ParseErrors.InWords(error.Message));
                string command = parsed.CommandResult.Command == root ? "npe" : $"npe {parsed.CommandResult.Command.Name}";
                errors.MarkupLineInterpolated($"See '{command} --help' for the options.");
                return 1;
            }
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (NativeFailure.Describe(e) is string message)
        {
            Error(ErrorConsole(), message);
            return 1;
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            Error(ErrorConsole(), e.Message);
            return 1;
        }
    }

    /// <summary>Errors go to standard error, so standard output carries only results (and --json only
    /// its JSON line). Made per failure on the current Console.Error, which a host may have redirected.</summary>
    static IAnsiConsole ErrorConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Profile.Width = 100_000;   // one problem, one line: never wrapped at the terminal's width
        return console;
    }

    static void Error(IAnsiConsole console, string message) =>
        console.MarkupLineInterpolated($"[red]error:[/] {PrintableText.Of(message)}");

    static bool AsksForHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    // Problems with the user's input or environment get a message; programming errors keep their stack trace.
    static bool IsUserFacing(Exception e) => e is ModelFileException or InvalidDataException or IOException
        or UnauthorizedAccessException or ArgumentException or InvalidOperationException or OutOfMemoryException
        or NeuralPhotoEdit.UserInputException;
}
