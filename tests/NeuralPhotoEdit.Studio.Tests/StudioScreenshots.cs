namespace NeuralPhotoEdit.Studio.Tests;

/// <summary>The README's pictures of the studio, taken by the same browser the tests drive: into
/// <c>NPE_STUDIO_SCREENSHOTS</c> when set (<c>NPE_STUDIO_SCREENSHOTS=$PWD/docs/studio dotnet test
/// tests/NeuralPhotoEdit.Studio.Tests -c Release --filter StudioScreenshots</c>), else into a temporary folder.</summary>
public sealed class StudioScreenshots(StudioFixture studio) : IClassFixture<StudioFixture>
{
    [Fact]
    public async Task TakeTheReadmesScreenshots()
    {
        bool keep = Environment.GetEnvironmentVariable("NPE_STUDIO_SCREENSHOTS") is { Length: > 0 };
        string folder = keep ? Environment.GetEnvironmentVariable("NPE_STUDIO_SCREENSHOTS")! : Path.Combine(Path.GetTempPath(), $"studio-shots-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var page = await studio.OpenAsync();
        await page.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "studio-open.png") });
        await page.Page.EvaluateAsync("() => document.querySelector('#colour').value = '#ff7a1a'");
        await page.PaintAsync((40, 40), (200, 70), (360, 40), (520, 70), (690, 45));
        await page.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "studio-sunset.png") });
        await page.AndWaitAsync(() => page.ClickAsync("[data-action='mask']"));
        await page.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "studio-mask.png") });
        await page.CloseAsync();
        foreach (var name in new[] { "studio-open.png", "studio-sunset.png", "studio-mask.png" })
            Assert.Equal((1280, 800), NeuralPhotoEdit.Imaging.ImageFiles.ReadSize(Path.Combine(folder, name)));
        if (!keep) Directory.Delete(folder, recursive: true);
    }
}
