// "Was this helpful?" in place: posts the form it was given (with fragment=1) and puts the
// answer where the form was. Without this file the same forms post and answer with a page.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) return;

  // The button that sent the form, for browsers without SubmitEvent.submitter.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("form[data-feedback] button[name]");
    if (button) button.form.feedbackSubmitter = button;
  });

  function showProblem(form, text) {
    var problem = form.querySelector(".feedback-error") || document.createElement("p");
    problem.className = "feedback-error";
    problem.setAttribute("role", "alert");
    problem.textContent = text;
    form.appendChild(problem);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-feedback]")) return;
    event.preventDefault();
    var data = new FormData(form);
    var submitter = event.submitter || form.feedbackSubmitter;
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    data.append("fragment", "1");
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 429) throw new Error("Too many answers from your address. Please try again later.");
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var answer = holder.querySelector("[data-feedback-answer]");
        if (!answer) throw new Error("Your answer could not be sent. Please try again.");
        (form.closest("[data-feedback-answer]") || form).replaceWith(answer);
        var focus = answer.querySelector("textarea") || answer;
        focus.focus();
      })
      .catch(function (error) {
        buttons.forEach(function (button) { button.disabled = false; });
        var generic = "Your answer could not be sent. Please try again.";
        showProblem(form, error instanceof TypeError ? generic : error.message || generic);
      });
  });
})();
