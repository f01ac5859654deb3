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
        string folder = keep ? Environment.GetEnvironmentVariable("NPE_STUDIO_SCREENSHOTS")!
            : Path.Combine(Path.GetTempPath(), $"studio-shots-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var page = await studio.OpenAsync();
        await page.Page.EvaluateAsync("() => document.querySelector('#colour').value = '#ff7a1a'");
        // While painting: the live preview under the stroke, the button still down.
        var (x0, y0) = await page.ScreenAsync(40, 40);
        await page.Page.Mouse.MoveAsync(x0, y0);
        await page.Page.Mouse.DownAsync();
        var (x1, y1) = await page.ScreenAsync(360, 55);
        await page.Page.Mouse.MoveAsync(x1, y1, new() { Steps = 20 });
        await page.Page.WaitForFunctionAsync("() => Number(document.body.dataset.previews || 0) >= 6", null, new() { Timeout = 60_000 });
        await page.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "studio-painting.png") });
        await page.Page.Mouse.UpAsync();
        await page.WaitIdleAsync();
        await page.AndWaitAsync(() => page.ClickAsync("[data-action='undo']"));
        await page.PaintAsync((40, 40), (200, 70), (360, 40), (520, 70), (690, 45));
        await page.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "studio-sunset.png") });
        await page.AndWaitAsync(() => page.ClickAsync("[data-action='mask']"));
        await page.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "studio-mask.png") });
        await page.CloseAsync();
        foreach (var name in new[] { "studio-painting.png", "studio-sunset.png", "studio-mask.png" })
            Assert.Equal((1280, 800), NeuralPhotoEdit.Imaging.ImageFiles.ReadSize(Path.Combine(folder, name)));
        if (!keep) Directory.Delete(folder, recursive: true);
    }
}
