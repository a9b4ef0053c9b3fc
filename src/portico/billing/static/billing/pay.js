// Make payment: choosing invoices fills in their total; the card fields show only for a new card.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-payment-form]");
    if (!form) { return; }
    var amount = form.querySelector("input[name=amount]");
    var cardFields = form.querySelector("[data-card-fields]");
    function chosenTotal() {
      var cents = 0, any = false;
      form.querySelectorAll("input[name=invoices]:checked").forEach(function (box) {
        any = true;
        cents += Math.round(parseFloat(box.getAttribute("data-balance")) * 100);
      });
      return any ? (cents / 100).toFixed(2) : null;
    }
    function toggleCard() {
      if (!cardFields) { return; }
      var chosen = form.querySelector("input[name=payment_method]:checked");
      cardFields.hidden = !!chosen && chosen.value !== "new";
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "invoices" && amount) {
        var total = chosenTotal();
        if (total !== null) { amount.value = total; }
      }
      if (event.target.name === "payment_method") { toggleCard(); }
    });
    toggleCard();
  });
})();
