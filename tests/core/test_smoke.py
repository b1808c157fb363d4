"""The app starts, migrates, and a user can log in and see the dashboard."""


def test_login_and_dashboard(client, auth, world):
    response = auth.login(world.learner_a1)
    assert response.status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert "Promotion A" in page
    assert "Atelier A1" in page
    assert "Promotion B" not in page
